/**
 * The `layerwise-language-server` executable.
 */
import { main } from './main';

main();
