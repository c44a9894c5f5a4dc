import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { ingressWritePaths, NAME } from './chart.js';

/**
 * One URL on Kubernetes with method routing, which a plain Ingress cannot express: a Gateway API
 * HTTPRoute (the `gateway-api` kustomization replaces the Ingress with it). Write-only paths go to
 * the API; writes on read paths (edit `PUT …/versions/{v}`, status `PATCH …/status`) are told apart
 * from reads by their method; everything else goes to the read side.
 */
export const WRITE_METHODS = ['PUT', 'PATCH', 'POST', 'DELETE'] as const;

export function registryRoute(host: string, gateway: string): HTTPRoute {
  const backend = (service: string) => [{ name: service, port: 80 }];
  return new HTTPRoute({
    metadata: {
      name: NAME,
      labels: { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'route' },
    },
    spec: {
      parentRefs: [{ name: gateway }],
      hostnames: [host],
      rules: [
        {
          matches: ingressWritePaths().map((value) => ({ path: { type: 'PathPrefix' as const, value } })),
          backendRefs: backend(`${NAME}-api`),
        },
        {
          matches: ['/v0/servers', '/v0.1/servers'].flatMap((value) =>
            WRITE_METHODS.map((method) => ({ path: { type: 'PathPrefix' as const, value }, method })),
          ),
          backendRefs: backend(`${NAME}-api`),
        },
        {
          matches: [{ path: { type: 'PathPrefix' as const, value: '/' } }],
          backendRefs: backend(`${NAME}-cdn`),
        },
      ],
    },
  });
}
