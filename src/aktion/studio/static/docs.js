// The API reference: Swagger UI served from the studio itself (the CSP allows no other origin).
"use strict";
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
