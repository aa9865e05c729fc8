// Kept out of index.html: the server's CSP allows no inline script.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.yaml', dom_id: '#swagger-ui', deepLinking: true });
});
