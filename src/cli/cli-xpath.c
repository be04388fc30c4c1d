/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-xpath.c: the --xpath and --wrap options of mvsh's dumpxml commands,
 * as virsh has them: the nodes an XPath expression selects in the XML,
 * each formatted on its own, or all wrapped in one <nodes> element.
 */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "cli/cli-util.h"

/* @node formatted as virsh formats it, followed by a newline. */
static void
xpath_print_node(xmlDoc *doc, xmlNode *node)
{
    xmlBuffer *buf = xmlBufferCreate();

    xmlNodeDump(buf, doc, node, 0, 1);
    printf("%s\n", (const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
}

/* Print the nodes of @set, or <nodes> holding copies of them if @wrap. */
static void
xpath_print_set(xmlDoc *doc, xmlNodeSet *set, gboolean wrap)
{
    int n = set ? set->nodeNr : 0;
    xmlDoc *newdoc;
    xmlNode *root;

    if (!wrap) {
        for (int i = 0; i < n; i++)
            xpath_print_node(doc, set->nodeTab[i]);
        return;
    }
    newdoc = xmlNewDoc((const xmlChar *)"1.0");
    root = xmlNewNode(NULL, (const xmlChar *)"nodes");
    xmlDocSetRootElement(newdoc, root);
    for (int i = 0; i < n; i++) {
        xmlNode *copy = xmlDocCopyNode(set->nodeTab[i], newdoc, 1);

        if (copy && !xmlAddChild(root, copy))
            xmlFreeNode(copy);
    }
    xpath_print_node(newdoc, root);
    xmlFreeDoc(newdoc);
}

gboolean
cli_print_xml(const char *xml, const CliArgs *args)
{
    const char *xpath = cli_args_get(args, "xpath");
    xmlDoc *doc;
    xmlXPathContext *ctxt;
    xmlXPathObject *obj;
    gboolean ok = TRUE;

    if (!xpath) {
        printf("%s", xml);
        return TRUE;
    }
    doc = xmlReadMemory(xml, strlen(xml), "xml", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    if (!doc) {
        cli_error("failed to parse the XML description");
        return FALSE;
    }
    ctxt = xmlXPathNewContext(doc);
    /* An expression that does not compile selects nothing (libxml2 says why). */
    obj = xmlXPathEval((const xmlChar *)xpath, ctxt);
    if (obj && obj->type != XPATH_NODESET) {
        cli_error("internal error: Incorrect xpath '%s'", xpath);
        ok = FALSE;
    } else if (obj) {
        xpath_print_set(doc, obj->nodesetval, cli_args_has(args, "wrap"));
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctxt);
    xmlFreeDoc(doc);
    return ok;
}
