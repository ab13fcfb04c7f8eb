// CloudFront Function, runtime cloudfront-js-2.0, viewer request on the guest site distributions.
// Guests read /g/{slug}; the nested site stores the page at guests/{slug}/index.html, so the function
// maps one to the other. The flat site's page and calendar file (/g/{slug}.html, /g/{slug}.ics) pass
// through under their own keys. Anything else under /g/ is answered here with 404: it must never be
// turned into some other S3 key (/g/../x, encoded slashes, look-alike case).
// The same source runs in the local edge server and in unit tests (src/publish/cloudfront-function).
// Keep it to the CloudFront Functions runtime: a top-level handler, no require, no module.exports.

var GUEST_PREFIX = '/g/';
// Mirrors SLUG_PATTERN and SLUG_MAX_LENGTH in src/domain/slug.ts.
var SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
var SLUG_MAX_LENGTH = 80;
// The flat site's objects: a slug plus one of these extensions, nothing else.
var FLAT_OBJECT_PATTERN = /^([a-z0-9-]+)\.(?:html|ics)$/;

function isSlug(value) {
  return value.length <= SLUG_MAX_LENGTH && SLUG_PATTERN.test(value);
}

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf(GUEST_PREFIX) !== 0) return request;

  var rest = uri.substring(GUEST_PREFIX.length);
  var flat = FLAT_OBJECT_PATTERN.exec(rest);
  if (flat && isSlug(flat[1])) return request;
  var slug = rest.slice(-1) === '/' ? rest.slice(0, -1) : rest;
  if (isSlug(slug)) {
    request.uri = '/guests/' + slug + '/index.html';
    return request;
  }
  return { statusCode: 404, statusDescription: 'Not Found' };
}
