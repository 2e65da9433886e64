"""mozilla-django-oidc settings from ONEVISIT_OIDC_* variables; imported by settings.py only when
ONEVISIT_OIDC_ISSUER is set. See docs/decisions/0007-citizen-identity.md."""

from onevisit.env import env_bool, env_int, env_str

OIDC_ISSUER = env_str("ONEVISIT_OIDC_ISSUER")
OIDC_RP_CLIENT_ID = env_str("ONEVISIT_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("ONEVISIT_OIDC_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = env_str("ONEVISIT_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("ONEVISIT_OIDC_SCOPES", "openid profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("ONEVISIT_OIDC_AUTHORIZATION_ENDPOINT", OIDC_ISSUER.rstrip("/") + "/authorize")
OIDC_OP_TOKEN_ENDPOINT = env_str("ONEVISIT_OIDC_TOKEN_ENDPOINT", OIDC_ISSUER.rstrip("/") + "/token")
OIDC_OP_USER_ENDPOINT = env_str("ONEVISIT_OIDC_USERINFO_ENDPOINT", OIDC_ISSUER.rstrip("/") + "/userinfo")
OIDC_OP_JWKS_ENDPOINT = env_str("ONEVISIT_OIDC_JWKS_ENDPOINT", OIDC_ISSUER.rstrip("/") + "/jwks")
OIDC_TIMEOUT = env_int("ONEVISIT_OIDC_TIMEOUT", 10)
OIDC_CREATE_USER = True
# Which claims carry the person's 身份证号, name and phone (platforms name them differently).
ONEVISIT_OIDC_CLAIM_ID_NUMBER = env_str("ONEVISIT_OIDC_CLAIM_ID_NUMBER", "id_number")
ONEVISIT_OIDC_CLAIM_NAME = env_str("ONEVISIT_OIDC_CLAIM_NAME", "name")
ONEVISIT_OIDC_CLAIM_PHONE = env_str("ONEVISIT_OIDC_CLAIM_PHONE", "phone_number")
# true: read the claims from the userinfo endpoint; false: from the verified id token alone.
ONEVISIT_OIDC_USE_USERINFO = env_bool("ONEVISIT_OIDC_USE_USERINFO", True)
LOGIN_REDIRECT_URL = "/"
LOGIN_REDIRECT_URL_FAILURE = "/signin/?oidc=failed"
LOGOUT_REDIRECT_URL = "/"
