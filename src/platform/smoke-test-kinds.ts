import { Duration } from 'cdk8s';
import { aDuration, aWholeNumber } from '../core/prop-kinds';

// The kinds of the props `SmokeTests` and `MlopsCore.addSmokeTests` share, so that both refuse the same values.

/** How often each check is tried before its Job fails. */
export const SMOKE_TEST_ATTEMPTS = aWholeNumber(30, 1, 1000);

/** The pause between two tries; the scripts sleep whole seconds. */
export const SMOKE_TEST_RETRY_INTERVAL = aDuration({ example: 'Duration.seconds(10)', atLeast: Duration.seconds(1) });
