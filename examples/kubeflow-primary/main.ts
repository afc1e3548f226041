import { kubeflowPrimaryPlatform } from './kubeflow-primary-platform';

// Writes dist/<cluster>/ for primary (with one file per Kubeflow profile), serving-eu and serving-us, and dist/argocd/
// (under `npm run synth`: dist/kubeflow-primary/...).
kubeflowPrimaryPlatform().synth();
