import { App } from 'cdk8s';
import { workspacesApp } from './workspaces-app';

// Writes platform.k8s.yaml (namespace mlops) and team-vision.k8s.yaml (namespace vision).
const app = new App();
workspacesApp(app);
app.synth();
