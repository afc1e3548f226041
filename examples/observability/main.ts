import { App } from 'cdk8s';
import { ObservabilityChart } from './observability-chart';

const app = new App();
new ObservabilityChart(app, 'observability');
app.synth();
