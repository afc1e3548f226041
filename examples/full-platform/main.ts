import { fullPlatformApp } from './full-platform-app';

// Writes dist/platform/ (namespaces mlops, mlops-logs and vision) and dist/argocd/ (under `npm run synth`:
// dist/full-platform/...).
fullPlatformApp().synth();
