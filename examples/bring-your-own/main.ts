import { App } from 'cdk8s';
import { BringYourOwnChart } from './bring-your-own-chart';

const app = new App();
new BringYourOwnChart(app, 'bring-your-own');
app.synth();
