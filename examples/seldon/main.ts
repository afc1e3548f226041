import { App } from 'cdk8s';
import { SeldonChart } from './seldon-chart';

const app = new App();
new SeldonChart(app, 'seldon');
app.synth();
