import { container, deployment, object, ofRule } from './fixtures';
import { ManifestValidator } from '../../src/testing';

const messages = (manifests: any[]) => ofRule(new ManifestValidator().validateManifests(manifests), 'reference').map((f) => f.message);

/** A Deployment in `namespace` mounting the Secret `secret` (keys) and the ConfigMap `configMap` (keys). */
function consumer(namespace: string, secret: [string, string[]], configMap: [string, string[]]): any {
  return deployment('app', {
    containers: [container({ volumeMounts: [{ name: 'certs', mountPath: '/certs' }, { name: 'ca', mountPath: '/ca' }] })],
    volumes: [
      { name: 'certs', secret: { secretName: secret[0], items: secret[1].map((key) => ({ key, path: key })) } },
      { name: 'ca', configMap: { name: configMap[0], items: configMap[1].map((key) => ({ key, path: key })) } },
    ],
  }, namespace);
}

const certificate = (namespace: string, secretName: string) => object('cert-manager.io/v1', 'Certificate', 'server', {
  metadata: { name: 'server', namespace },
  spec: { secretName, dnsNames: ['server'], issuerRef: { name: 'ca', kind: 'ClusterIssuer' } },
});

const bundle = (namespaceSelector?: Record<string, any>) => object('trust.cert-manager.io/v1alpha1', 'Bundle', 'platform-ca-bundle', {
  spec: {
    sources: [{ useDefaultCAs: true }],
    target: {
      configMap: { key: 'ca.crt' },
      additionalFormats: { pkcs12: { key: 'truststore.p12', password: 'changeit', profile: 'Modern2023' } },
      ...(namespaceSelector ? { namespaceSelector } : {}),
    },
  },
});

const namespace = (name: string, labels: Record<string, string> = {}) => object('v1', 'Namespace', name, { metadata: { name, labels } });

describe('objects cert-manager and trust-manager write count as existing', () => {
  test("a Certificate's Secret has tls.crt, tls.key and ca.crt in the Certificate's namespace", () => {
    const manifests = [
      certificate('mlops', 'server-tls'),
      bundle(),
      consumer('mlops', ['server-tls', ['tls.crt', 'tls.key', 'ca.crt']], ['platform-ca-bundle', ['ca.crt', 'truststore.p12']]),
    ];
    expect(messages(manifests)).toEqual([]);
  });

  test("a Certificate's Secret has no other key, and is not in another namespace", () => {
    expect(messages([certificate('mlops', 'server-tls'), bundle(), consumer('mlops', ['server-tls', ['tls.pem']], ['platform-ca-bundle', ['ca.crt']])]))
      .toEqual(['spec.template.spec.volumes[0].secret.items[0].key: Secret "mlops/server-tls" has no key "tls.pem" (its keys are ca.crt, tls.crt, tls.key)']);
    expect(messages([certificate('other', 'server-tls'), bundle(), consumer('mlops', ['server-tls', ['tls.crt']], ['platform-ca-bundle', ['ca.crt']])]))
      .toEqual(['spec.template.spec.volumes[0].secret.secretName: Secret "mlops/server-tls" is not in the output and not declared in externalObjects']);
  });

  test("a Bundle's ConfigMap is only in the namespaces its namespaceSelector selects", () => {
    const byName = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['mlops'] }] };
    const byLabel = { matchLabels: { 'mlops.cdk8s.io/trust': 'platform' } };
    const secretOk = (ns: string) => certificate(ns, 'server-tls');
    const use = (ns: string) => consumer(ns, ['server-tls', ['tls.crt']], ['platform-ca-bundle', ['ca.crt']]);
    expect(messages([bundle(byName), secretOk('mlops'), use('mlops')])).toEqual([]);
    expect(messages([bundle(byName), secretOk('serving'), use('serving')]))
      .toEqual(['spec.template.spec.volumes[1].configMap.name: ConfigMap "serving/platform-ca-bundle" is not in the output and not declared in externalObjects']);
    expect(messages([bundle(byLabel), namespace('serving', { 'mlops.cdk8s.io/trust': 'platform' }), secretOk('serving'), use('serving')])).toEqual([]);
    expect(messages([bundle(byLabel), namespace('serving'), secretOk('serving'), use('serving')])).toHaveLength(1);
  });

  test("a Bundle's ConfigMap has its target key and additional formats only", () => {
    expect(messages([bundle(), certificate('mlops', 'server-tls'), consumer('mlops', ['server-tls', ['tls.crt']], ['platform-ca-bundle', ['bundle.pem']])]))
      .toEqual(['spec.template.spec.volumes[1].configMap.items[0].key: ConfigMap "mlops/platform-ca-bundle" has no key "bundle.pem" (its keys are ca.crt, truststore.p12)']);
  });
});
