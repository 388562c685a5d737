// An error whose message is markup: the view must show it as text.
setTimeout(() => {
  throw new Error('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>');
}, 5);
