/**
 * The format of a model, for every serving backend: it selects the KServe ServingRuntime that serves it
 * (`predictor.model.modelFormat`), and the requirement a Seldon server must advertise (`sklearn`, `onnx`, ...). Use
 * `ModelFormat.of()` for a format a custom runtime declares.
 */
export class ModelFormat {
  /** scikit-learn (`kserve-sklearnserver`, or MLServer with the v2 protocol). */
  public static readonly SKLEARN = new ModelFormat('sklearn');
  /** XGBoost. */
  public static readonly XGBOOST = new ModelFormat('xgboost');
  /** LightGBM. */
  public static readonly LIGHTGBM = new ModelFormat('lightgbm');
  /** ONNX (served by Triton in KServe's default runtimes). */
  public static readonly ONNX = new ModelFormat('onnx');
  /**
   * A Triton model repository: `storageUri` points at the repository root, which holds `<model>/config.pbtxt` and
   * numbered version folders such as `<model>/1/model.onnx`.
   */
  public static readonly TRITON = new ModelFormat('triton');
  /** PyTorch (TorchServe). */
  public static readonly PYTORCH = new ModelFormat('pytorch');
  /** TensorFlow SavedModel (TensorFlow Serving). */
  public static readonly TENSORFLOW = new ModelFormat('tensorflow');
  /** An MLflow model folder (MLServer). */
  public static readonly MLFLOW = new ModelFormat('mlflow');
  /** A Hugging Face model (KServe's Hugging Face server). */
  public static readonly HUGGINGFACE = new ModelFormat('huggingface');

  /** Any other format, optionally with the version the runtime must support, e.g. `ModelFormat.of('sklearn', '1')`. */
  public static of(name: string, version?: string): ModelFormat {
    return new ModelFormat(name, version);
  }

  private constructor(
    /** `modelFormat.name`. */
    public readonly name: string,
    /** `modelFormat.version`, if any. */
    public readonly version?: string,
  ) {}
}
