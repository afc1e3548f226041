import { multiclusterPlatform } from './multicluster-platform';

// Writes dist/<cluster>/ for primary, serving-eu and serving-us, and dist/argocd/ (under `npm run synth`:
// dist/multicluster/...).
multiclusterPlatform().synth();
