// When the session has expired, an htmx request is answered with 401 and HX-Redirect to the login
// page; htmx follows that header. This is the fallback for any other 401: reload the whole page
// instead of swapping an error or a login form into a table cell.
document.addEventListener('htmx:responseError', function (event) {
  if (event.detail.xhr && event.detail.xhr.status === 401) {
    window.location.reload();
  }
});
// Send the CSRF token with every mutating htmx request.
document.addEventListener('htmx:configRequest', function (event) {
  var token = document.querySelector('meta[name="_csrf"]');
  var header = document.querySelector('meta[name="_csrf_header"]');
  if (token && header && event.detail.verb !== 'get') {
    event.detail.headers[header.content] = token.content;
  }
});
