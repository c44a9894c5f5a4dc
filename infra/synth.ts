import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { createApp } from './cdk/app.js';
import { helmChartFiles } from './k8s/helm.js';
import { kustomizeFiles } from './k8s/kustomize.js';

/**
 * `npm run infra:synth`: everything the deployment needs, offline (no AWS account, no cluster):
 * - cdk.out/registry: the whole registry's CloudFormation template (and the image's build context),
 *   cdk.out/site: the read side alone;
 * - infra/k8s/manifests: the Kubernetes manifests with their kustomization;
 * - infra/helm/mcp-registry: the same as a Helm chart.
 * The manifests and the chart are committed (an operator applies them without Node); a test fails
 * when they differ from what this script writes.
 */
export const ROOT = resolve(import.meta.dirname, '..');
export const MANIFESTS_DIR = join(ROOT, 'infra', 'k8s', 'manifests');
export const CHART_DIR = join(ROOT, 'infra', 'helm', 'mcp-registry');

export function chartVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The generated files, by absolute path. */
export function generatedFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, text] of Object.entries(kustomizeFiles())) out[join(MANIFESTS_DIR, file)] = text;
  for (const [file, text] of Object.entries(helmChartFiles(chartVersion())))
    out[join(CHART_DIR, file)] = text;
  return out;
}

export function synthesizeAll(cdkOut: string = join(ROOT, 'cdk.out')): string[] {
  const written: string[] = [];
  for (const [name, context] of [
    ['registry', {}],
    ['site', { stack: 'site' }],
  ] as const) {
    const outdir = join(cdkOut, name);
    const assembly = createApp(new App({ outdir, context, analyticsReporting: false })).synth();
    for (const stack of assembly.stacks) written.push(join(outdir, stack.templateFile));
  }
  for (const [path, text] of Object.entries(generatedFiles())) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  for (const path of synthesizeAll()) process.stderr.write(`wrote ${relative(process.cwd(), path)}\n`);
}
