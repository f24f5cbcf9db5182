import { createApp } from 'vue';
import App from './App.vue';
import { startLiveUpdates } from './api/live-updates';
import { router } from './router';
import './styles/main.css';

startLiveUpdates();
createApp(App).use(router).mount('#app');
