// The same app with unrelated code in front of it (the second build of the end-to-end test).
import './padding.js';
import './main.js';
