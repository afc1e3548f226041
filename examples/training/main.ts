import { App } from 'cdk8s';
import { TrainingChart } from './training-chart';

const app = new App();
new TrainingChart(app, 'training');
app.synth();
