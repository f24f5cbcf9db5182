import { createApp } from 'vue';
import App from './App.vue';
import { startLiveUpdates } from './api/live-updates';
import { listenToHistory } from './router/router';
import './styles/main.css';

listenToHistory();
startLiveUpdates();
createApp(App).mount('#app');
