// `npx cdk8s synth` (or `npm run example`) writes dist/shop/{_shared,acme,globex,initech}/.
import { exampleApp } from './app';

exampleApp().synth();
