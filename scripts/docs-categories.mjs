// Rewrites the README's "What it finds" table from the category catalogue (src/detect/categories.ts).
// Run through `npm run docs:categories`, which builds dist/ first.
import { readFileSync, writeFileSync } from 'node:fs';
import { withCategoryTable } from '../dist/src/detect/category-table.js';

writeFileSync('README.md', withCategoryTable(readFileSync('README.md', 'utf8')));
