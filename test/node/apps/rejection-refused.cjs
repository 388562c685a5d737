// An unhandled rejection of a refused connection: in the default mode it ends the process (fatal), with
// --unhandled-rejections=warn the process lives on (error).
Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }));
setTimeout(() => {}, 300);
