import { IConstruct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { dnsLabelProblems, dnsSubdomainProblems } from '../core/names';
import { aListOf, aString, checkArgument } from '../core/props-check';

/** A capability a Seldon server advertises and a model requires: letters, digits, '.', '_' or '-'. */
const CAPABILITY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The ServerConfig a `SeldonServer` is rendered from (in the operator's namespace, installed with the operator), with
 * the capabilities it advertises: a model lands only on a server whose capabilities include all its requirements.
 *
 * The v2.6.0 ServerConfigs pin MLServer 1.3.5 and Triton 23.03; give the server an `image` for current models.
 */
export class SeldonServerConfig {
  /**
   * `mlserver` (MLServer): capabilities `mlserver`, `alibi-detect`, `alibi-explain`, `huggingface`, `lightgbm`,
   * `mlflow`, `python`, `sklearn`, `spark-mlib`, `xgboost` (SELDON_SERVER_CAPABILITIES in seldon-core-v2-setup v2.6.0).
   */
  public static readonly MLSERVER = new SeldonServerConfig('mlserver', [
    'mlserver', 'alibi-detect', 'alibi-explain', 'huggingface', 'lightgbm', 'mlflow', 'python', 'sklearn', 'spark-mlib', 'xgboost',
  ], 'mlserver');

  /**
   * `triton` (NVIDIA Triton): capabilities `triton`, `dali`, `fil`, `onnx`, `openvino`, `python`, `pytorch`,
   * `tensorflow`, `tensorrt` (seldon-core-v2-setup v2.6.0).
   */
  public static readonly TRITON = new SeldonServerConfig('triton', [
    'triton', 'dali', 'fil', 'onnx', 'openvino', 'python', 'pytorch', 'tensorflow', 'tensorrt',
  ], 'triton');

  /**
   * A ServerConfig of your own. Like Seldon's, it must have the containers `rclone` and `agent` beside the model
   * server's container, named `serverContainer`: a `SeldonServer` sets their security context, and the server
   * container's image and resources, by those names.
   *
   * @param name the ServerConfig's name in the operator's namespace
   * @param capabilities what its servers advertise (its `SELDON_SERVER_CAPABILITIES`)
   * @param serverContainer the name of its model server's container
   */
  public static of(name: string, capabilities: string[], serverContainer: string): SeldonServerConfig {
    const where = 'SeldonServerConfig.of';
    checkArgument(where, 'name', name, aString("'mlserver-gpu'"));
    checkArgument(where, 'capabilities', capabilities, aListOf(aString("'sklearn'")));
    checkArgument(where, 'serverContainer', serverContainer, aString("'mlserver'"));
    const nameProblems = dnsSubdomainProblems(name);
    if (nameProblems.length > 0) {
      throw new MlopsValidationError(where, `name '${name}' is invalid: ${nameProblems.join('; ')}; give the name of a ServerConfig, e.g. 'mlserver-gpu'`);
    }
    if (capabilities.length === 0) {
      throw new MlopsValidationError(where, "capabilities is invalid: the list is empty, so no model would land on its servers; give what they serve, e.g. ['mlserver', 'sklearn']");
    }
    checkCapabilities(where, 'capabilities', capabilities);
    const containerProblems = dnsLabelProblems(serverContainer);
    if (containerProblems.length > 0 || serverContainer === 'rclone' || serverContainer === 'agent') {
      throw new MlopsValidationError(where, `serverContainer '${serverContainer}' is invalid: ${containerProblems.length > 0 ? containerProblems.join('; ') : "it is one of Seldon's own containers"}; `
        + "give the name of the model server's container, e.g. 'mlserver'");
    }
    return new SeldonServerConfig(name, [...capabilities], serverContainer);
  }

  private constructor(
    /** The ServerConfig's name. */
    public readonly name: string,
    /** The capabilities its servers advertise. */
    public readonly capabilities: string[],
    /** The name of the model server's container in its pod spec. */
    public readonly serverContainer: string,
  ) {}
}

/** Throws unless every capability or requirement is a single word Seldon can join with commas. */
export function checkCapabilities(where: string | IConstruct, what: string, values: string[]): void {
  for (const value of values) {
    if (!CAPABILITY.test(value)) {
      throw new MlopsValidationError(where, `${what} '${value}' is invalid: must be letters, digits, '.', '_' or '-', starting with a letter or digit `
        + "(Seldon joins them with commas), e.g. 'sklearn' or 'gpu'");
    }
  }
}
