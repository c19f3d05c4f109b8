import { createApp } from 'vue';
import App from './App.vue';
import { onSessionLost } from './api/client';
import { lang, setLang } from './i18n';
import { router } from './router';
import { clearSession } from './session';
import './styles/base.css';

setLang(lang.value);
onSessionLost(() => {
  clearSession();
  const here = router.currentRoute.value;
  if (here.meta.auth) {
    void router.replace({ name: 'login', query: { returnTo: here.fullPath } });
  }
});
createApp(App).use(router).mount('#app');
