/**
 * Rule `yaml-1.1`: a manifest file reads the same in a YAML 1.1 parser (PyYAML, Ansible, Python tooling) as in a
 * YAML 1.2 one (kubectl, Argo CD). A plain `=` is YAML 1.1's `value` tag, which PyYAML cannot construct; plain
 * `yes`, `on`, `0777` or `1:30` are booleans and numbers to YAML 1.1 and strings to YAML 1.2.
 */
import { isMap, isScalar, isSeq, Node, parseAllDocuments, Scalar } from 'yaml';
import { finding } from './manifest-object';
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
