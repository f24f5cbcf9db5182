import { createApp } from 'vue';
import App from './App.vue';
import { listenToHistory } from './router/router';
import './styles/main.css';

listenToHistory();
createApp(App).mount('#app');
