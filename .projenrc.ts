import { cdk8s, javascript } from 'projen';

/** The CRD files under imports/ and the module each becomes under src/imports/ (see imports/SOURCES.md). */
const CRD_MODULES: Record<string, string> = {
  'kserve-inferenceservice': 'kserve/serving.kserve.io_inferenceservices.yaml',
  'kserve-inferencegraph': 'kserve/serving.kserve.io_inferencegraphs.yaml',
  'monitoring-servicemonitor': 'prometheus-operator/monitoring.coreos.com_servicemonitors.yaml',
  'monitoring-podmonitor': 'prometheus-operator/monitoring.coreos.com_podmonitors.yaml',
  'monitoring-prometheusrule': 'prometheus-operator/monitoring.coreos.com_prometheusrules.yaml',
  'monitoring-prometheus': 'prometheus-operator/monitoring.coreos.com_prometheuses.yaml',
  'monitoring-scrapeconfig': 'prometheus-operator/monitoring.coreos.com_scrapeconfigs.yaml',
  'monitoring-alertmanagerconfig': 'prometheus-operator/monitoring.coreos.com_alertmanagerconfigs.yaml',
  'monitoring-alertmanager': 'prometheus-operator/monitoring.coreos.com_alertmanagers.yaml',
  'istio-virtualservice': 'istio/networking.istio.io_virtualservices.yaml',
  'istio-destinationrule': 'istio/networking.istio.io_destinationrules.yaml',
  'argocd-application': 'argo-cd/application-crd.yaml',
  'training-pytorchjob': 'kubeflow-training-operator/kubeflow.org_pytorchjobs.yaml',
  'spark-sparkapplication': 'spark-operator/sparkoperator.k8s.io_sparkapplications.yaml',
  'seldon-model': 'seldon-core-v2/mlops.seldon.io_models.yaml',
  'seldon-pipeline': 'seldon-core-v2/mlops.seldon.io_pipelines.yaml',
  'seldon-experiment': 'seldon-core-v2/mlops.seldon.io_experiments.yaml',
  'seldon-server': 'seldon-core-v2/mlops.seldon.io_servers.yaml',
  'seldon-seldonruntime': 'seldon-core-v2/mlops.seldon.io_seldonruntimes.yaml',
  'seldon-seldonconfig': 'seldon-core-v2/mlops.seldon.io_seldonconfigs.yaml',
  'seldon-serverconfig': 'seldon-core-v2/mlops.seldon.io_serverconfigs.yaml',
  'certmanager-certificate': 'cert-manager/cert-manager.io_certificates.yaml',
  'certmanager-clusterissuer': 'cert-manager/cert-manager.io_clusterissuers.yaml',
  'trustmanager-bundle': 'trust-manager/trust.cert-manager.io_bundles.yaml',
  'kubeflow-poddefault': 'kubeflow-poddefault/kubeflow.org_poddefaults.yaml',
};

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-mlops',
  description: 'cdk8s constructs for an on-prem MLOps platform: Airflow with git-sync, MinIO with buckets, Postgres, MySQL, Redis, MLflow, KServe, federated Prometheus and NFS volumes',
  keywords: ['cdk8s', 'kubernetes', 'mlops', 'airflow', 'mlflow', 'kserve', 'minio', 'prometheus'],
  author: 'cdk8s-mlops maintainers',
  authorAddress: 'maintainers@users.noreply.cdk8s-mlops.example',
  repositoryUrl: 'https://github.com/cdk8s-mlops/cdk8s-mlops.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',

  // The oldest versions the tests pass with (CI runs them): the peer ranges start there.
  cdk8sVersion: '2.69.0',
  constructsVersion: '10.3.0',
  peerDeps: ['cdk8s-plus-28@^2.5.6'],

  // Not jsii packages, so they ship inside ours; none of their types is part of the public API. PromQL is parsed with
  // Prometheus' own lezer grammar (and its peers), relabel regexes with re2js (Go's RE2, as Prometheus compiles them).
  bundledDeps: [
    'ajv@^8.20.0', 'yaml@^2.9.1', 're2js@^2.10.0',
    '@prometheus-io/lezer-promql@^0.315.0', '@lezer/lr@^1.4.12', '@lezer/common@^1.3.0', '@lezer/highlight@^1.2.1',
  ],
  devDeps: ['typescript@~5.9.0', '@types/node@^20', 'tsx@^4.20.0', 'esbuild@^0.28.2', 'cdk8s-cli@2.207.60', '@jest/test-sequencer@^30.2.0'],

  // dist/ holds the examples' synthesized manifests, so npm and jsii packages go elsewhere.
  artifactsDirectory: 'build/packages',

  // Python: `pip install cdk8s-mlops`, `import cdk8s_mlops` (scripts/build-python-wheel.sh builds the wheel offline).
  publishToPypi: { distName: 'cdk8s-mlops', module: 'cdk8s_mlops' },
  // The oldest Node the library is tested on.
  minNodeVersion: '20.0.0',
  tsconfig: {
    // The package ships JavaScript and declarations only: no source maps (inline ones tripled its size).
    compilerOptions: { inlineSourceMap: false, inlineSources: false },
  },

  github: false,
  release: false,
  depsUpgrade: false,
  buildWorkflow: false,
  pullRequestTemplate: false,

  jestOptions: {
    // A stale snapshot must fail, never be rewritten; `npm run test:update` rewrites them on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      collectCoverage: false,
      moduleNameMapper: { '^cdk8s-mlops$': '<rootDir>/src/index.ts' },
      // One worker per core: jest's default (cores - 1) leaves one of the two cores of the CI machine idle.
      maxWorkers: '100%',
      testSequencer: '<rootDir>/test/slow-first-sequencer.js',
    },
  },
  tsconfigDev: {
    include: ['../examples/**/*.ts', '../scripts/**/*.ts'],
    // With isolatedModules, ts-jest transpiles each test file alone; `compile` type-checks everything once.
    compilerOptions: {
      isolatedModules: true,
      // Examples import the library by its package name, as a copied starter does.
      baseUrl: '..',
      paths: { 'cdk8s-mlops': ['src/index.ts'] },
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts'],
    ignorePatterns: ['src/imports/**'],
    tsconfigPath: './test/tsconfig.json',
  },
});

// The layers (docs/architecture.md): core/ builds on the generated CRD bindings only; a component builds on core/ and
// the bindings only, never on another component; only platform/ composes components; testing/ stands alone.
const COMPONENT_FOLDERS = ['data', 'storage', 'orchestration', 'tracking', 'serving', 'observability', 'training', 'workspaces', 'security', 'telemetry'];
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: [
      { target: './src/core', from: './src', except: ['./core', './imports'], message: 'core/ builds on src/imports/ only' },
      ...COMPONENT_FOLDERS.map((folder) => ({
        target: `./src/${folder}`,
        from: './src',
        except: [`./${folder}`, './core', './imports'],
        message: 'a component builds on core/ and imports/ only; compose components in platform/',
      })),
      { target: './src/platform', from: './src/testing', message: 'testing/ is for users\' CI, not part of a platform' },
      { target: './src/testing', from: './src', except: ['./testing'], message: 'testing/ stands alone' },
    ],
  }],
  'import/no-cycle': ['error', { ignoreExternal: true }],
});
// The generated CRD bindings import nothing of ours and are up to 69k lines: import/no-cycle need not parse them.
project.eslint?.file.addOverride('settings.import/ignore', ['src/imports/']);

// `npm test` runs the tests only; lint is its own step (`npx projen eslint`, run by .ci/run).
project.testTask.reset('jest --passWithNoTests --ci', { receiveArgs: true });

// dist/ holds the synthesized examples, committed so that reviews show manifest diffs.
project.gitignore.removePatterns('/dist/');
project.gitignore.exclude('/build/');
project.npmignore?.exclude('/build/', '/examples/', '/scripts/', '/.ci/', '/dist/');
// The package carries the CRDs and the Kubernetes schema as lib/crds/ and lib/schemas/, and no declarations of the
// generated bindings (scripts/slim-package.mjs).
project.npmignore?.exclude('/imports/', '/schemas/', '/lib/imports/*.d.ts');
// The API reference is read in the repository (API.md) or on Construct Hub, which renders it from .jsii.
project.npmignore?.exclude('/API.md');
// jsii-pacmak adds its output directory to .npmignore unless this exact line is there.
project.npmignore?.exclude('build/packages');

const importCrds = project.addTask('import', {
  description: 'Generate src/imports/ from the vendored CRDs in imports/ (one named module per CRD)',
});
importCrds.exec('rm -rf src/imports');
for (const [name, file] of Object.entries(CRD_MODULES)) {
  importCrds.exec(`cdk8s import --no-check-upgrade --language typescript --output src/imports ${name}:=imports/${file}`);
}
project.preCompileTask.spawn(importCrds);

project.compileTask.exec('tsc --project test/tsconfig.json', {
  name: 'type-check tests, examples and scripts',
});
project.postCompileTask.exec('node scripts/slim-package.mjs', { name: 'minify the CRD bindings and compact the CRDs for the package' });

// jsii-pacmak's Python target installs its build tools from PyPI; this builds the same wheel with Debian's python3
// packages, offline.
project.tasks.tryFind('package:python')?.reset('bash scripts/build-python-wheel.sh');

// Semantic versioning; while 0.x, a minor release may change the API (CHANGELOG.md says how to upgrade).
project.package.addVersion('0.1.0');

// unrs-resolver 1.13.0 (under eslint-import-resolver-typescript) is published for some platforms only, which leaves
// package-lock.json without entries `npm ci` insists on; 1.12.2 is complete.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

project.package.setScript('synth', 'node scripts/synth-examples.mjs');
project.package.setScript('bench', 'tsx --expose-gc --tsconfig examples/tsconfig.json scripts/bench.ts');

project.synth();
