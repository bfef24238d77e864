// Runs a CloudFront Function (cloudfront-js-2.0) on a list of viewer-request URIs, for the tests.
//   node cloudfront_function_harness.js <function.js>  < ["/a", "/b"]  > [result, ...]
// The code runs in a bare context (no require, no process), as at the edge; each result is the
// request it returns ({"uri": ...}) or the response ({"statusCode", "location"}).
'use strict';
const fs = require('fs');
const vm = require('vm');

const code = fs.readFileSync(process.argv[2], 'utf8');
const uris = JSON.parse(fs.readFileSync(0, 'utf8'));
const context = vm.createContext({});
vm.runInContext(code, context, {filename: 'cloudfront-function.js'});
if (typeof context.handler !== 'function') {
  throw new Error('the function code defines no handler(event)');
}

const results = uris.map((uri) => {
  const request = {method: 'GET', uri: uri, querystring: {}, headers: {host: {value: 'd1.cloudfront.net'}}, cookies: {}};
  const event = {version: '1.0', context: {eventType: 'viewer-request'}, viewer: {ip: '198.51.100.1'}, request: request};
  const out = context.handler(event);
  if (out && out.statusCode !== undefined) {
    return {statusCode: out.statusCode, location: out.headers && out.headers.location && out.headers.location.value};
  }
  return {uri: out.uri};
});
process.stdout.write(JSON.stringify(results));
