# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry login the lookups that ask a registry take."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  username:
    description:
      - User for the registry; empty for an open registry (or, where the plugin says so, one
        logged in to with C(docker login)).
    type: str
    default: ""
  password:
    description: That user's password or token.
    type: str
    default: ""
"""
