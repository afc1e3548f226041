import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { crdFilesUnder, importedCrdFiles } from './crd-schemas';
import { ExternalObject } from './external-object';
import { checkPodSecurity } from './pod-security-check';
import { checkReferences } from './reference-check';
import { checkResources } from './resources-check';
import { checkSchemas } from './schema-check';
import { checkSecretLiterals } from './secret-literal-check';
import { checkUnique } from './unique-check';
import { ValidationFinding } from './validation-finding';
import { checkYaml11, checkYaml11Values } from './yaml-1-1-check';

/**
 * Options of a `ManifestValidator`.
 */
export interface ManifestValidatorOptions {
  /**
   * Objects the manifests may refer to that are not part of them: existing Secrets, ConfigMaps, PVCs,
   * ServiceAccounts, Roles, ClusterRoles, Services.
   *
   * @default - none: every reference must resolve within the manifests (a ServiceAccount `default`, the ConfigMap
   * `kube-root-ca.crt` and the ClusterRoles `cluster-admin`, `admin`, `edit` and `view` always exist)
   */
  readonly externalObjects?: ExternalObject[];

  /**
   * Paths of YAML files with more CustomResourceDefinitions (your own CRDs), in addition to the CRDs this library
   * ships. Relative paths are resolved against the current working directory.
   *
   * @default - only the CRDs this library ships (KServe, prometheus-operator)
   */
  readonly additionalCrdFiles?: string[];

  /**
   * Folders of CustomResourceDefinition files (`*.yaml`, `*.yml`, `*.json`, searched recursively) that come before
   * the CRDs this library ships and `additionalCrdFiles`: a custom resource whose apiVersion and kind a CRD in them
   * serves is checked against that CRD, any other against the shipped ones. E.g. the CRDs of the operator versions
   * your cluster runs, to check that the manifests also fit them. Relative paths are resolved against the current
   * working directory.
   *
   * @default - none: custom resources are checked against the CRDs this library ships and `additionalCrdFiles`
   */
  readonly crdDirectories?: string[];
}

/**
 * Checks synthesized Kubernetes manifests without a cluster:
 *
 * - `schema`: each object matches the strict JSON schema of its kind (Kubernetes 1.28 or a CRD); unknown fields are errors.
 * - `unknown-kind`: each apiVersion/kind is a Kubernetes 1.28 kind or a served version of a known CRD.
 * - `reference`: every Secret (and key), ConfigMap (and key), PVC, ServiceAccount, Service, Role, PersistentVolume and
 *   volume a manifest names exists in the same namespace, in the manifests or among the external objects; Services and
 *   workload selectors select pod templates; named target ports exist.
 * - `pod-security`: every pod spec meets the Pod Security Standards `restricted` profile.
 * - `resources`: every container requests cpu and memory and limits memory.
 * - `secret-literal`: no Secret carries literal `data` or `stringData` (an Argo CD repository Secret may say where its
 *   repository is: `name`, `url`, `type`, `enableOCI`, `project`).
 * - `unique`: no two objects have one kind, namespace and name, and no two Services one NodePort.
 * - `yaml-1.1`: every string, as `cdk8s synth` writes it, reads the same in YAML 1.1 parsers (PyYAML, Ansible); for a
 *   file (`validateYaml`), the whole text does.
 *
 * Schemas are compiled on first use and cached for the life of the process.
 *
 * @example
 * const findings = new ManifestValidator().validateApp(app);
 * if (findings.length > 0) throw new Error(ManifestValidator.format(findings));
 */
export class ManifestValidator {
  /**
   * One line per finding, `[rule] object: message`, for error messages and test output.
   */
  public static format(findings: ValidationFinding[]): string {
    if (!Array.isArray(findings)) {
      throw new TypeError(`ManifestValidator.format: findings is invalid: expected the array that validateManifests() returns, got ${typeof findings}`);
    }
    return findings.map((f) => `[${f.rule}] ${f.object}: ${f.message}`).join('\n');
  }

  private readonly externalObjects: ExternalObject[];
  /** The CRD files to look custom kinds up in, in groups: the first group that serves a kind decides. */
  private readonly crdFileGroups: string[][];

  constructor(options: ManifestValidatorOptions = {}) {
    this.externalObjects = [...(options.externalObjects ?? [])];
    const additional = (options.additionalCrdFiles ?? []).map((file) => path.resolve(file));
    for (const file of additional) {
      if (!fs.existsSync(file)) {
        throw new Error(`ManifestValidator: additionalCrdFiles: ${file} does not exist; give the path of a YAML file with CustomResourceDefinitions`);
      }
    }
    const directories = (options.crdDirectories ?? []).map((dir) => path.resolve(dir));
    for (const dir of directories) {
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new Error(`ManifestValidator: crdDirectories: ${dir} is not a folder; give the path of a folder of CustomResourceDefinition YAML files`);
      }
    }
    this.crdFileGroups = [...directories.map(crdFilesUnder), [...importedCrdFiles(), ...additional]];
  }

  /**
   * Validates manifest objects (as `Chart.toJson()` returns them, or parsed from YAML).
   *
   * @returns the findings; empty if every object is valid
   */
  public validateManifests(manifests: any[]): ValidationFinding[] {
    return [
      ...checkSchemas(manifests, this.crdFileGroups),
      ...checkReferences(manifests, this.externalObjects),
      ...checkPodSecurity(manifests),
      ...checkResources(manifests),
      ...checkSecretLiterals(manifests),
      ...checkUnique(manifests),
      ...checkYaml11Values(manifests),
    ];
  }

  /**
   * Validates a manifest file as written (e.g. what `cdk8s synth` wrote to `dist/`): every object, as
   * `validateManifests` does, and the text itself (`yaml-1.1`): it must read the same in a YAML 1.1 parser (PyYAML,
   * Ansible) as in kubectl's YAML 1.2 one.
   *
   * @param text the YAML text of one or more documents
   */
  public validateYaml(text: string): ValidationFinding[] {
    const manifests = parseAllDocuments(text).map((document) => document.toJS()).filter((object) => object !== null);
    // The text as written decides here; the objects' own yaml-1.1 check assumes cdk8s' writer.
    return [...checkYaml11(text), ...this.validateManifests(manifests).filter((f) => f.rule !== 'yaml-1.1')];
  }

  /**
   * Validates the objects of one chart (`chart.toJson()`); references must resolve within the chart.
   */
  public validateChart(chart: Chart): ValidationFinding[] {
    return this.validateManifests(chart.toJson());
  }

  /**
   * Validates the objects of every chart of an app together, so references may cross charts.
   */
  public validateApp(app: App): ValidationFinding[] {
    return this.validateManifests(app.charts.flatMap((chart) => chart.toJson()));
  }
}
