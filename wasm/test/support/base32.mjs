// RFC 4648 base32 decoding for tests that compute TOTP codes as an authenticator app would.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export function base32Decode(text) {
  const bits = [...text.replace(/[\s=]/g, '').toUpperCase()].map((c) => {
    const value = ALPHABET.indexOf(c);
    if (value < 0) throw new Error(`not base32: ${c}`);
    return value.toString(2).padStart(5, '0');
  }).join('');
  return Buffer.from(bits.match(/.{8}/g)?.map((byte) => parseInt(byte, 2)) ?? []);
}
