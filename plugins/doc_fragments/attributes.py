# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Attribute values every module of the collection shares; check_mode and diff_mode stay with
    # each module. Used together with ansible.builtin.action_common_attributes(.actiongroups).
    DOCUMENTATION = r"""
attributes:
  platform:
    platforms: all
  action_group:
    support: full
    membership:
      - hwcloud.cce.cce
"""
