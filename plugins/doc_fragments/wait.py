# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Options of modules that can wait for a CCE task to finish.
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until the task reaches a final phase before returning.
      - With V(false) the module returns as soon as the task was submitted (or found); poll it
        with the matching C(_info) module.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait at most when O(wait=true). The module then fails, returning the
        last state read; the task keeps running in CCE.
    type: int
    default: 3600
  poll_interval:
    description:
      - Seconds between two status reads while waiting.
    type: float
    default: 10
"""
