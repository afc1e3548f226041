import { App, Testing } from 'cdk8s';
import { objectsOfKind } from '../util';

/** Every Secret is one the cluster fills in: no `data`, no `stringData`, and the generated-keys annotation. */
export function expectNoSecretValues(manifests: any[]): void {
  for (const secret of objectsOfKind(manifests, 'Secret')) {
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toBeUndefined();
    expect(secret.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBeDefined();
  }
}

/** The YAML of a fresh app that `build` fills. */
export function synthYamlOf(build: (app: App) => void): string {
  const app = Testing.app();
  build(app);
  return app.synthYaml();
}
