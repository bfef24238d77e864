import pluginVue from 'eslint-plugin-vue'
import { defineConfigWithVueTs, vueTsConfigs } from '@vue/eslint-config-typescript'

export default defineConfigWithVueTs(
  { ignores: ['dist/**', 'dist-root/**', 'node_modules/**', 'src/api/schema.d.ts', 'dev-dist/**'] },
  pluginVue.configs['flat/recommended'],
  vueTsConfigs.recommended,
  {
    rules: {
      // User text is always text: no raw HTML from anywhere.
      'vue/no-v-html': 'error',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='innerHTML']", message: '用户文本只能作为文本显示：不要用 innerHTML' },
        { selector: "MemberExpression[property.name='outerHTML']", message: '用户文本只能作为文本显示：不要用 outerHTML' },
      ],
    },
  },
)
