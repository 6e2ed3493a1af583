-- GET of the URL's path (/.well-known/jwks.json, /healthz ...), answers counted.
local bench = require "bench"

function response(status, headers, body)
  bench.count(status, headers)
end
