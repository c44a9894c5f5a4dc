/**
 * The write API's paths that are never reads, as CloudFront path patterns (`*` matches any
 * characters, `/` included; `?` one character). `/v0*` covers `/v0` and `/v0.1`. Writes that share a
 * read path (edit `PUT …/versions/{version}`, status `PATCH …/status`) are not here: they go through
 * `/v0*\/servers/*` and the edge function's origin selection (edge-code.ts).
 */
export const WRITE_PATHS = [
  '/v0*/publish',
  '/v0*/auth/*',
  '/v0*/validate',
  '/v0*/verify-domain*',
  '/v0*/health',
  '/v0*/ping',
  '/v0*/version',
  '/v0*/admin/*',
] as const;
