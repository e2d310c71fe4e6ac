# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The cluster a module works on (required); the flavor is in the connection fragment.
    DOCUMENTATION = r"""
options:
  cluster_id:
    description:
      - ID of the cluster (a UUID).
    type: str
    required: true
"""
