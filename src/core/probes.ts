import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/** When a probe runs and when it gives up. */
export interface ProbeTiming {
  /** Consecutive failures before the probe fails. */
  readonly failureThreshold: number;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
}

/** An HTTP GET probe of `path` on `port`; over HTTPS (kubelet does not verify the certificate) when `https` is true. */
export function httpGetProbe(path: string, port: number, timing: ProbeTiming, https: boolean = false): kplus.Probe {
  return kplus.Probe.fromHttpGet(path, { port, ...probeOptions(timing), ...(https ? { scheme: kplus.ConnectionScheme.HTTPS } : {}) });
}

/** A probe that succeeds when a TCP connection to `port` opens. */
export function tcpProbe(port: number, timing: ProbeTiming): kplus.Probe {
  return kplus.Probe.fromTcpSocket({ port, ...probeOptions(timing) });
}

/** A probe that runs `command` in the container and succeeds when it exits 0. */
export function commandProbe(command: string[], timing: ProbeTiming): kplus.Probe {
  return kplus.Probe.fromCommand(command, probeOptions(timing));
}

function probeOptions(timing: ProbeTiming): kplus.ProbeOptions {
  return {
    periodSeconds: Duration.seconds(timing.periodSeconds ?? 10),
    timeoutSeconds: Duration.seconds(timing.timeoutSeconds ?? 5),
    failureThreshold: timing.failureThreshold,
  };
}
