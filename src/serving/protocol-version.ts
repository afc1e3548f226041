/** The inference protocol the predictor speaks (`predictor.model.protocolVersion`). */
export class ProtocolVersion {
  /** KServe's V1 REST protocol (`/v1/models/<name>:predict`). */
  public static readonly V1 = new ProtocolVersion('v1');
  /** The Open Inference Protocol over REST (`/v2/models/<name>/infer`). */
  public static readonly V2 = new ProtocolVersion('v2');
  /** The Open Inference Protocol over gRPC. */
  public static readonly GRPC_V2 = new ProtocolVersion('grpc-v2');

  /** A protocol name of a newer KServe release. */
  public static of(name: string): ProtocolVersion {
    return new ProtocolVersion(name);
  }

  private constructor(
    /** The value KServe expects. */
    public readonly name: string,
  ) {}
}
