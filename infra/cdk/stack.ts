import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { readEdgeSource } from '../../cdn/edge/load.js';
import { NOT_FOUND_KEY } from '../../core/layout/keys.js';

/**
 * The public read side on AWS: the bucket the builder writes, the CloudFront distribution that serves
 * it at the official read URLs through cdn/edge/viewer-request.js (the same file the local CDN
 * runs), and the one IAM policy the builder needs. The API, the builder and PostgreSQL run wherever
 * the operator runs processes; this stack does not choose that for them.
 */
export interface RegistrySiteProps extends StackProps {
  /** Key prefix inside the bucket (the builder's S3_PREFIX), without slashes; default none. */
  prefix?: string;
  /** Custom host names; needs `certificateArn` (an ACM certificate in us-east-1). */
  domainNames?: string[];
  certificateArn?: string;
  /** CloudFront price class; default all edge locations (the registry's users are everywhere). */
  priceClass?: cloudfront.PriceClass;
  /** How long superseded object versions stay recoverable in the bucket; default 7 days. */
  noncurrentVersionDays?: number;
  /** The function source; default the repository's cdn/edge/viewer-request.js. */
  edgeSource?: string;
}

/** How long CloudFront caches an origin 404, so a version published a moment later shows up soon. */
export const NOT_FOUND_TTL_SECONDS = 10;

export class RegistrySiteStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly builderPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: RegistrySiteProps = {}) {
    super(scope, id, props);
    const prefix = (props.prefix ?? '').replace(/^\/+|\/+$/g, '');
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
      ...(prefix ? { originPath: `/${prefix}` } : {}),
    });

    // The function folds the query string into the key, so the cache key is the rewritten path alone;
    // lifetimes come from each object's Cache-Control (immutable: a year; mutable: 60 s).
    const cachePolicy = new cloudfront.CachePolicy(this, 'TreeObjects', {
      comment: 'Static registry objects: path-only key, lifetimes from Cache-Control',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(60),
      maxTtl: Duration.days(365),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
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
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: false,
          override: true,
        },
      },
    });

    const edge = new cloudfront.Function(this, 'ViewerRequest', {
      comment: 'Official read API URLs -> static object keys (cdn/edge/viewer-request.js)',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(props.edgeSource ?? readEdgeSource()),
    });

    const read = {
      origin,
      cachePolicy,
      responseHeadersPolicy: headers,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      compress: true,
    };
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'MCP static registry: the official read API as static objects',
      // The function already maps `/` to the root document; this keeps a bare `/` from ever
      // reaching the bucket as a listing (the origin may list, see above).
      defaultRootObject: 'index.json',
      defaultBehavior: {
        ...read,
        functionAssociations: [{ function: edge, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      // The error document is fetched from the origin as it is, without the function (which would
      // refuse the path: it is not a public URL).
      additionalBehaviors: { [`/${NOT_FOUND_KEY.split('/')[0]}/*`]: read },
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

    // What the builder does: read, write and delete tree objects, list them, invalidate paths.
    const objects = this.bucket.arnForObjects(prefix ? `${prefix}/*` : '*');
    this.builderPolicy = new iam.ManagedPolicy(this, 'BuilderPolicy', {
      description: 'The MCP static registry builder: write the tree and invalidate the CDN',
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: [objects],
        }),
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          ...(prefix ? { conditions: { StringLike: { 's3:prefix': [`${prefix}/*`, prefix] } } } : {}),
        }),
        new iam.PolicyStatement({
          actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
          resources: [this.distribution.distributionArn],
        }),
      ],
    });

    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.distribution.distributionId });
    new CfnOutput(this, 'ReadUrl', { value: `https://${this.distribution.distributionDomainName}` });
    new CfnOutput(this, 'BuilderPolicyArn', { value: this.builderPolicy.managedPolicyArn });
    new CfnOutput(this, 'BuilderEnvironment', {
      description: 'Environment for `mcp-registry builder` (plus DATABASE_URL and SITE_SIGNING_KEY)',
      value: [
        `S3_BUCKET=${this.bucket.bucketName}`,
        `S3_PREFIX=${prefix}`,
        `S3_REGION=${this.region}`,
        `CLOUDFRONT_DISTRIBUTION_ID=${this.distribution.distributionId}`,
      ].join(' '),
    });
  }
}
