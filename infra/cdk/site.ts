import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { readEdgeSource } from '../../cdn/edge/load.js';
import { NOT_FOUND_KEY } from '../../core/layout/keys.js';
import { deployedEdgeSource } from './edge-code.js';
import { WRITE_PATHS } from './routes.js';

/**
 * The registry's one URL: the bucket the builder writes, and the CloudFront distribution that serves
 * it at the official read URLs through cdn/edge/viewer-request.js (the same file the local CDN
 * runs). With `api`, the same distribution sends writes to the API, uncached: the write-only paths
 * by path behaviours (routes.ts), writes on read paths (edit, status) by the function's origin
 * selection (edge-code.ts).
 */
export interface RegistrySiteProps {
  /** Key prefix inside the bucket (the builder's S3_PREFIX), without slashes; default none. */
  prefix?: string;
  /** Custom host names; needs `certificateArn` (an ACM certificate in us-east-1). */
  domainNames?: string[];
  certificateArn?: string;
  /** CloudFront price class; default all edge locations (the registry's users are everywhere). */
  priceClass?: cloudfront.PriceClass;
  /** How long superseded object versions stay recoverable in the bucket; default 7 days. */
  noncurrentVersionDays?: number;
  /** The read function source; default the repository's cdn/edge/viewer-request.js. */
  edgeSource?: string;
  /** The write API's origin (its id must be edge-code.ts's API_ORIGIN_ID); none: reads only. */
  api?: cloudfront.IOrigin;
}

/** Tree objects' cache lifetimes come from their Cache-Control (immutable: a year; mutable: 60 s). */
const treeCache = () => ({
  minTtl: Duration.seconds(0),
  defaultTtl: Duration.seconds(60),
  maxTtl: Duration.days(365),
  queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
  cookieBehavior: cloudfront.CacheCookieBehavior.none(),
  enableAcceptEncodingGzip: true,
  enableAcceptEncodingBrotli: true,
});

/** How long CloudFront caches an origin 404, so a version published a moment later shows up soon. */
export const NOT_FOUND_TTL_SECONDS = 10;

export class RegistrySite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly prefix: string;

  constructor(scope: Construct, id: string, props: RegistrySiteProps = {}) {
    super(scope, id);
    this.prefix = (props.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (props.domainNames?.length && !props.certificateArn) {
      throw new Error('domainNames need certificateArn (an ACM certificate in us-east-1)');
    }

    // Private, encrypted, TLS-only. Versioned so that an object a bad build overwrote or deleted can
    // be restored for a week; superseded versions then expire (pointers are rewritten on every build).
    this.bucket = new s3.Bucket(this, 'Tree', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-superseded-versions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 7),
          // Superseded list pages are deleted daily: drop their delete markers once nothing is left.
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    // Origin Access Control with read and list: with list, S3 answers a missing key with 404 (not
    // 403), which the error response below turns into the problem+json document.
    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
      ...(this.prefix ? { originPath: `/${this.prefix}` } : {}),
    });

    // The function folds the query string into the key, so the cache key is the rewritten path alone.
    const cachePolicy = new cloudfront.CachePolicy(this, 'TreeObjects', {
      comment: 'Static registry objects: path-only key, lifetimes from Cache-Control',
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      ...treeCache(),
    });

    // CORS like the official registry (any origin; preflight is answered by the function).
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Static registry: CORS for any origin, nosniff, HSTS',
      corsBehavior: {
        accessControlAllowOrigins: ['*'],
        accessControlAllowMethods: ['GET', 'HEAD', 'OPTIONS'],
        accessControlAllowHeaders: ['*'],
        accessControlExposeHeaders: ['ETag'],
        accessControlAllowCredentials: false,
        accessControlMaxAge: Duration.days(1),
        originOverride: true,
      },
      // `/` is the browse page or the root document by Accept (the function picks the key, so the
      // CDN's cache, keyed on the rewritten path, never mixes them); browsers' caches learn it here.
      customHeadersBehavior: {
        customHeaders: [{ header: 'Vary', value: 'Accept, Accept-Encoding', override: true }],
      },
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: false,
          override: true,
        },
      },
    });

    const readSource = props.edgeSource ?? readEdgeSource();
    const edge = new cloudfront.Function(this, 'ViewerRequest', {
      comment: props.api
        ? 'Official read URLs -> object keys; writes on read paths -> the API (cdn/edge + infra/cdk/edge-code.ts)'
        : 'Official read API URLs -> static object keys (cdn/edge/viewer-request.js)',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(props.api ? deployedEdgeSource(readSource) : readSource),
    });
    const functionAssociations = [{ function: edge, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }];

    const read = {
      origin,
      cachePolicy,
      responseHeadersPolicy: headers,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      compress: true,
    };
    // The error document is fetched from the origin as it is, without the function (which would
    // refuse the path: it is not a public URL).
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {
      [`/${NOT_FOUND_KEY.split('/')[0]}/*`]: read,
    };
    if (props.api)
      Object.assign(additionalBehaviors, this.writeBehaviors(props.api, read, functionAssociations));

    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: props.api
        ? 'MCP registry: reads as static objects, writes to the API'
        : 'MCP static registry: the official read API as static objects',
      // The function already maps `/` to the root document; this keeps a bare `/` from ever
      // reaching the bucket as a listing (the origin may list, see above).
      defaultRootObject: 'index.json',
      defaultBehavior: { ...read, functionAssociations },
      additionalBehaviors,
      errorResponses: [
        {
          httpStatus: 404,
          responseHttpStatus: 404,
          responsePagePath: `/${NOT_FOUND_KEY}`,
          ttl: Duration.seconds(NOT_FOUND_TTL_SECONDS),
        },
      ],
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_ALL,
      // The default *.cloudfront.net certificate has a fixed policy; a custom one gets TLS 1.2+.
      ...(props.certificateArn
        ? {
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            domainNames: props.domainNames,
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
          }
        : {}),
    });

    // Listing is reachable only at the bucket root, which the function and defaultRootObject map to
    // index.json, and query strings never reach the origin (the cache policy forwards none).
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'LIST only turns missing keys into 404; `/` is index.json and no query string is forwarded',
    );
  }

  /**
   * Writes, uncached, with the viewer's headers (Authorization, Content-Type) and body: the write-only
   * paths straight to the API; `/v0*\/servers/*` (reads on GET, edit and status on PUT/PATCH) through
   * the function, which picks the API for writes. It comes first: CloudFront takes the first pattern
   * that matches, and `*` crosses `/`, so `/v0*\/publish` would also match a version named `publish`.
   */
  private writeBehaviors(
    api: cloudfront.IOrigin,
    read: cloudfront.BehaviorOptions,
    functionAssociations: cloudfront.FunctionAssociation[],
  ): Record<string, cloudfront.BehaviorOptions> {
    const write: cloudfront.BehaviorOptions = {
      origin: api,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // With caching disabled this policy forwards every viewer header, Authorization included.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      compress: true,
    };
    // Authorization must be in the cache key to reach an origin at all; the function deletes it from
    // every read, so reads keep a path-only key, and only PUT/PATCH (never cached) carry it on.
    const readOrWrite: cloudfront.BehaviorOptions = {
      ...read,
      cachePolicy: new cloudfront.CachePolicy(this, 'TreeObjectsOrEdits', {
        comment: 'Static registry objects (path-only key for reads); Authorization forwarded for edits',
        headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization'),
        ...treeCache(),
      }),
      originRequestPolicy: new cloudfront.OriginRequestPolicy(this, 'EditHeaders', {
        comment: 'Edits and status changes: the body type reaches the API',
        headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('Content-Type'),
        queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.none(),
        cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
      }),
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      functionAssociations,
    };
    const behaviors: Record<string, cloudfront.BehaviorOptions> = { '/v0*/servers/*': readOrWrite };
    for (const path of WRITE_PATHS) behaviors[path] = write;
    return behaviors;
  }

  /**
   * What the builder does: read, write and delete tree objects, list them, and (when it invalidates)
   * create invalidations on this distribution.
   */
  builderStatements(invalidate = true): iam.PolicyStatement[] {
    const objects = this.bucket.arnForObjects(this.prefix ? `${this.prefix}/*` : '*');
    return [
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [objects],
      }),
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        ...(this.prefix
          ? { conditions: { StringLike: { 's3:prefix': [`${this.prefix}/*`, this.prefix] } } }
          : {}),
      }),
      ...(invalidate
        ? [
            new iam.PolicyStatement({
              actions: ['cloudfront:CreateInvalidation'],
              resources: [this.distribution.distributionArn],
            }),
          ]
        : []),
    ];
  }
}
