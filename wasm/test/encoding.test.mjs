import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore, vectorTable, utf8, unhex } from './support/core.mjs';

const core = await loadCore();

test('base32 matches RFC 4648 section 10', async () => {
  for (const { input, output } of await vectorTable('rfc4648.json', 'base32')) {
    assert.equal(core.base32Encode(utf8(input), true).value, output);
    const decoded = core.base32Decode(output);
    assert.ok(decoded.ok, `decode ${output}`);
    assert.deepEqual(decoded.value, utf8(input));
  }
});

test('base32 rejects malformed input with invalid_base32', async () => {
  for (const { input, why } of await vectorTable('rfc4648.json', 'base32_invalid')) {
    const decoded = core.base32Decode(input);
    assert.equal(decoded.ok, false, why);
    assert.equal(decoded.code, 'invalid_base32', why);
  }
});

test('base64url matches RFC 4648 section 10 without padding', async () => {
  for (const { input, output_url_nopad: output } of await vectorTable('rfc4648.json', 'base64')) {
    assert.equal(core.base64urlEncode(utf8(input)).value, output);
    assert.deepEqual(core.base64urlDecode(output).value, utf8(input));
  }
  for (const { hex: bytes, output_url_nopad: output } of await vectorTable('rfc4648.json', 'base64url_binary')) {
    assert.equal(core.base64urlEncode(unhex(bytes)).value, output);
  }
});

test('base64url rejects malformed input with invalid_base64url', async () => {
  for (const { input, why } of await vectorTable('rfc4648.json', 'base64url_invalid')) {
    const decoded = core.base64urlDecode(input);
    assert.equal(decoded.ok, false, why);
    assert.equal(decoded.code, 'invalid_base64url', why);
  }
});

test('encoders refuse anything but a Uint8Array with invalid_argument', () => {
  for (const bad of ['abc', [1, 2], undefined, null, 42]) {
    assert.equal(core.base32Encode(bad, true).code, 'invalid_argument');
    assert.equal(core.base64urlEncode(bad).code, 'invalid_argument');
  }
});
