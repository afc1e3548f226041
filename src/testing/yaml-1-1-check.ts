/**
 * Rule `yaml-1.1`: a manifest file reads the same in a YAML 1.1 parser (PyYAML, Ansible, Python tooling) as in a
 * YAML 1.2 one (kubectl, Argo CD). A plain `=` is YAML 1.1's `value` tag, which PyYAML cannot construct; plain
 * `yes`, `on`, `0777` or `1:30` are booleans and numbers to YAML 1.1 and strings to YAML 1.2.
 */
import { Yaml } from 'cdk8s';
import { isMap, isScalar, isSeq, Node, parse, parseAllDocuments, Scalar } from 'yaml';
import { finding, isObject, jsonPath } from './manifest-object';
import { ValidationFinding } from './validation-finding';

/** Reports each scalar of `text` that a YAML 1.1 parser would refuse or read as something else. */
export function checkYaml11(text: string): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const asYaml12 = parseAllDocuments(text);
  const asYaml11 = parseAllDocuments(text, { version: '1.1' });
  asYaml12.forEach((document, index) => {
    const object = document.toJS();
    if (document.errors.length > 0) {
      findings.push(finding('yaml-1.1', object, `the document does not parse: ${document.errors[0].message}`));
      return;
    }
    const other = asYaml11[index];
    walk(document.contents, [], (segments, scalar) => {
      const path = display(segments);
      if (scalar.type === Scalar.PLAIN && scalar.source === '=') {
        findings.push(finding('yaml-1.1', object, `${path} is a plain '=', YAML 1.1's value tag, which PyYAML cannot load; quote it`));
        return;
      }
      const read11 = (other?.getIn(segments, true) as Scalar | undefined)?.toJSON();
      const read12 = scalar.toJSON();
      if (read11 !== read12 && !(Number.isNaN(read11) && Number.isNaN(read12))) {
        findings.push(finding('yaml-1.1', object, `${path} is ${JSON.stringify(read12)} in YAML 1.2 but ${JSON.stringify(read11)} in YAML 1.1; quote it`));
      }
    });
  });
  return findings;
}

type Segment = string | number;

function walk(node: Node | null, segments: Segment[], visit: (segments: Segment[], scalar: Scalar) => void): void {
  if (isScalar(node)) {
    visit(segments, node);
  } else if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      walk(pair.value as Node | null, [...segments, key], visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => walk(item as Node | null, [...segments, index], visit));
  }
}

/** `spec.containers[0].name`, for messages. */
function display(segments: Segment[]): string {
  return segments.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('');
}

/** Strings a YAML 1.1 resolver may read as something else when written plain: numbers, booleans, `~`, `=`, `<<`. */
const MAYBE_NOT_A_STRING_IN_YAML_1_1 = /^[-+.]?[0-9]|^(y|n|yes|no|on|off|true|false|null|~|=|<<)$/i;
/** Whether a string survives cdk8s' YAML writer and a YAML 1.1 reader, per distinct string. */
const SURVIVES = new Map<string, boolean>();

/**
 * The same rule on manifest objects before they are written: each string value, written as `cdk8s synth` writes it
 * (cdk8s' `Yaml.stringify`), must read back as the same string in YAML 1.1.
 */
export function checkYaml11Values(manifests: readonly unknown[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const obj of manifests) {
    visitStrings(obj, '', (path, value) => {
      if (!survives(value)) {
        findings.push(finding('yaml-1.1', obj, `${path} is the string ${JSON.stringify(value)}, which cdk8s writes so that YAML 1.1 parsers (PyYAML, Ansible) `
          + 'read something else or refuse it; choose a value that is not a YAML 1.1 boolean, number or tag'));
      }
    });
  }
  return findings;
}

function survives(value: string): boolean {
  if (!MAYBE_NOT_A_STRING_IN_YAML_1_1.test(value)) {
    return true;
  }
  let known = SURVIVES.get(value);
  if (known === undefined) {
    const written = Yaml.stringify({ value });
    known = written.trim() !== 'value: =' && parse(written, { version: '1.1' })?.value === value;
    SURVIVES.set(value, known);
  }
  return known;
}

function visitStrings(value: unknown, path: string, visit: (path: string, value: string) => void): void {
  if (typeof value === 'string') {
    visit(path, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => visitStrings(item, jsonPath(path, index), visit));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      visitStrings(item, jsonPath(path, key), visit);
    }
  }
}
