/**
 * Manifests that pass every rule, to be broken one field at a time by the tests.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ValidationFinding } from '../../src/testing';

/** Container props for kplus that meet the restricted profile and the resources rule (kplus' defaults do not). */
export function restrictedContainer(props: Partial<kplus.ContainerProps> = {}): kplus.ContainerProps {
  return {
    image: 'registry.example.com/app:1.0.0',
    securityContext: {
      user: 1000,
      group: 1000,
      ensureNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: [kplus.Capability.ALL] },
      seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
    },
    resources: {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
    },
    ...props,
  };
}

/** A plain container that meets the restricted profile and the resources rule. */
export function container(overrides: Record<string, any> = {}): any {
  return {
    name: 'main',
    image: 'registry.example.com/app:1.0.0',
    ports: [{ name: 'http', containerPort: 8080 }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    },
    ...overrides,
  };
}

/** A plain pod spec: runAsNonRoot and seccomp at pod level, one `container()`. */
export function podSpec(overrides: Record<string, any> = {}): any {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container()],
    ...overrides,
  };
}

/** A plain Deployment `name` with labels `app: <name>` whose pod spec is `podSpec(podOverrides)`. */
export function deployment(name: string, podOverrides: Record<string, any> = {}, namespace?: string): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec(podOverrides) },
    },
  };
}

/** A plain Service `name` selecting `app: <app>`, port 80 to `targetPort`. */
export function service(name: string, app: string, targetPort: number | string = 'http', namespace?: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort }] },
  };
}

/** A plain object of any kind. */
export function object(apiVersion: string, kind: string, name: string, fields: Record<string, any> = {}): any {
  return { apiVersion, kind, metadata: { name }, ...fields };
}

/** The findings of one rule. */
export function ofRule(findings: ValidationFinding[], rule: string): ValidationFinding[] {
  return findings.filter((f) => f.rule === rule);
}
