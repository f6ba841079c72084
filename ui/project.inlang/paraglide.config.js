// What the CLI (npm run messages) and the Vite plugin both compile the catalogs with. The
// window's language is set by src/i18n, so no strategy beyond a variable is needed.
export default {
  outdir: './src/paraglide',
  strategy: ['globalVariable', 'baseLocale'],
  isServer: 'false',
  emitGitIgnore: false,
  emitPrettierIgnore: false,
  emitReadme: false,
  emitTsDeclarations: true,
};
