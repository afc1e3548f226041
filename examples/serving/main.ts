import { App } from 'cdk8s';
import { ServingChart } from './serving-chart';

const app = new App();
new ServingChart(app, 'serving');
app.synth();
