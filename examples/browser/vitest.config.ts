import { mergeConfig } from 'vitest/config';
import base from '../../vitest.base';

// Both test files build dist/ and start Chromium: one after the other.
export default mergeConfig(base, { test: { fileParallelism: false } });
