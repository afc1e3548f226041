import { App } from 'cdk8s';
import { QuickstartChart } from './quickstart-chart';

const app = new App();
new QuickstartChart(app, 'quickstart');
app.synth();
